/**
 * `connect-sync/testing`: for development and tests, never production. The local Heroku Connect
 * stand-in (`ConnectSim`), and a database laid out as Connect would serve it: the queue, the
 * mirror tables of the declared objects, Connect's triggers and trigger log. In production Heroku
 * Connect owns the mirror tables; the package root loads nothing of this.
 */
export { ConnectSim, ConnectSimNotInstalledError, type DrainResult } from './connect-sim/connect-sim.ts';
export { ConnectSimInstallRefusedError } from './connect-sim/install.ts';
export { ConnectSimOptionsError, type ConnectSimOptions } from './connect-sim/options.ts';
export { devDatabasePrepare } from './connect-sim/dev-database.ts';
export { mirrorTablesCreate, MirrorSchemaForeignError } from './connect-sim/mirror-tables.ts';
