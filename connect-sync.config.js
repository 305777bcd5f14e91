// This repository's own objects: the editor app's preset, which the demo, the tests and this
// repository's Heroku deploy (Procfile, app.json) run. A host app lists its own objects here.
// From the sources (`node src/cli.ts`, npm start, the tests) the `connect-sync-source` condition
// resolves the import to src/; the installed command (bin/) gets the build in dist/, so the
// objects always come from the same copy of connect-sync as the command that loads them.
export { editorPreset as default } from 'connect-sync/editor';
