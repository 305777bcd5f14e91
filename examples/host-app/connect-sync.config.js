// What `npx connect-sync <command>` reads in this folder: the objects this app syncs.
import { defineConfig } from 'connect-sync';
import { account, employee } from './src/objects.js';

export default defineConfig({ objects: [account, employee] });
