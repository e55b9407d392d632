import { defineConfig } from 'drizzle-kit';

// `npx drizzle-kit generate` turns changes in db/schema.ts into a new SQL migration under
// db/migrations; db/index.ts applies the shipped migrations whenever a database is opened.
export default defineConfig({
  dialect: 'sqlite',
  schema: './db/schema.ts',
  out: './db/migrations',
});
