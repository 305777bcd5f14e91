/**
 * A module resolve hook that keeps Node 22/24 from re-parsing big `exports` maps. For every ESM
 * `.js` file Node looks up the nearest package.json and JSON-parses its `exports` again (the
 * reader's object spread runs a lazy getter each time, nothing caches it): drizzle-orm's 130 KB map,
 * about twice per file over ~100 files, leaves ~160 MB of garbage and a worker idling at ~250 MB RSS.
 * The hook answers relative `.js` imports made inside a `"type": "module"` package under
 * node_modules itself, format included, so that lookup never runs. Everything else goes to Node.
 * It must be registered before the module graph that imports drizzle is linked (the bin does it).
 */
import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Folder → the `type` of the nearest package.json (undefined: none, unset or unreadable).
const packageTypeByFolder = new Map<string, string | undefined>();

function packageTypeOf(folder: string): string | undefined {
  if (packageTypeByFolder.has(folder)) return packageTypeByFolder.get(folder);
  let type: string | undefined;
  try {
    type = (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { type?: string }).type;
  } catch (error) {
    const parent = dirname(folder);
    // Only a missing file means "look further up"; an unreadable one leaves the file to Node.
    type = (error as NodeJS.ErrnoException).code === 'ENOENT' && parent !== folder ? packageTypeOf(parent) : undefined;
  }
  packageTypeByFolder.set(folder, type);
  return type;
}

/** Registers the hook once; a no-op on a Node without `module.registerHooks`. Returns whether it did. */
export function esmFastResolveRegister(): boolean {
  if (typeof nodeModule.registerHooks !== 'function') return false;
  nodeModule.registerHooks({
    resolve(specifier, context, nextResolve) {
      const parent = context.parentURL;
      if (
        parent?.startsWith('file:') &&
        parent.includes('/node_modules/') &&
        specifier.endsWith('.js') &&
        (specifier.startsWith('./') || specifier.startsWith('../'))
      ) {
        const url = new URL(specifier, parent);
        if (packageTypeOf(dirname(fileURLToPath(url))) === 'module') return { url: url.href, format: 'module', shortCircuit: true };
      }
      return nextResolve(specifier, context);
    },
  });
  return true;
}
