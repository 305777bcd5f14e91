// A strict TypeScript host compiles against the package's .d.ts types (not its sources).
import { connectSync, defineConfig, defineMirrorObject, type ConnectSync, type WorkerProcess } from 'connect-sync';
import { editorPreset } from 'connect-sync/editor';

export const config = defineConfig({ objects: editorPreset.objects });
export type Host = { sync: ConnectSync; worker?: WorkerProcess };
export const entryPoints: unknown[] = [connectSync, defineMirrorObject];
