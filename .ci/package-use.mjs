// What a plain JavaScript host does with the installed package: import both entry points and
// check the editor preset's migrations ship with it. Run from the host folder.
import { existsSync } from 'node:fs';
import { connectSync, defineConfig, defineMirrorObject, workerStart } from 'connect-sync';
import { editorPreset } from 'connect-sync/editor';

for (const [name, value] of Object.entries({ connectSync, defineConfig, defineMirrorObject, workerStart })) {
  if (typeof value !== 'function') throw new Error(`connect-sync exports no function ${name}`);
}
const folder = editorPreset.appMigrations?.folder;
if (!folder || !existsSync(folder)) throw new Error(`the editor preset's migrations are missing (${folder})`);
console.log(`imported connect-sync and connect-sync/editor on Node ${process.versions.node}; editor migrations at ${folder}`);
