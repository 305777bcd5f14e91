/** The host app's config file, as `connect-sync --config` (or the working folder) finds it. */
import { defineConfig } from '../../src/index.ts';
import { account, employee } from './host-objects.ts';

export default defineConfig({ objects: [account, employee] });
