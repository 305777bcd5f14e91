// What a plain JavaScript host does with the installed package: import every entry point and
// check the editor preset's migrations ship with it. Run from the host folder.
import { existsSync } from 'node:fs';
import { connectSync, defineConfig, defineMirrorObject } from 'connect-sync';
import { bossCreate, databaseOpen } from 'connect-sync/advanced';
import { editorPreset } from 'connect-sync/editor';
import { ConnectSim, connectSimCreate, devDatabasePrepare, syncInline, testDatabaseCreate } from 'connect-sync/testing';

for (const [name, value] of Object.entries({ connectSync, defineConfig, defineMirrorObject, bossCreate, databaseOpen, ConnectSim, devDatabasePrepare, connectSimCreate, syncInline, testDatabaseCreate })) {
  if (typeof value !== 'function') throw new Error(`connect-sync exports no function ${name}`);
}
const folder = editorPreset.appMigrations?.folder;
if (!folder || !existsSync(folder)) throw new Error(`the editor preset's migrations are missing (${folder})`);
console.log(`imported connect-sync, /advanced, /testing and /editor on Node ${process.versions.node}; editor migrations at ${folder}`);
