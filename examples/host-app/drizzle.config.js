// drizzle-kit writes this app's migrations from its schema.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({ dialect: 'postgresql', schema: './src/schema.js', out: './migrations' });
