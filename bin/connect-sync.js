#!/usr/bin/env node
// The installed command: runs the compiled build in dist/ (Node refuses to strip types under
// node_modules). Two measured memory fixes come first, before any of the app is loaded:
// - re-exec once, same pid (SIGTERM handling unchanged), with a small V8 young generation: Node 24
//   otherwise keeps 64-128 MB of new space committed (it is a startup flag; setting it later does nothing);
// - the resolve hook, registered before the CLI's module graph is linked (see esm-resolve-hook).
// CONNECT_SYNC_NO_REEXEC=1 skips the re-exec (e.g. to pass your own V8 flags).
const semiSpaceFlag = '--max-semi-space-size=4';
if (
  typeof process.execve === 'function' &&
  !process.env.CONNECT_SYNC_NO_REEXEC &&
  !process.execArgv.some((argument) => argument.startsWith('--max-semi-space-size'))
) {
  process.execve(process.execPath, [process.execPath, semiSpaceFlag, ...process.execArgv, ...process.argv.slice(1)], process.env);
}

const dist = new URL('../dist/', import.meta.url);
let hook;
try {
  hook = await import(new URL('esm-resolve-hook.js', dist).href);
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write('connect-sync is not built (no dist/): run `npm run build` in its folder, or `node src/cli.ts` from a checkout.\n');
  process.exit(1);
}
hook.esmFastResolveRegister();
await import(new URL('cli.js', dist).href);
