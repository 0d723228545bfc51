// PostgreSQL's migrations; drizzle.sqlite.config.ts has SQLite's. `npm run db:generate` runs both.
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'postgresql',
  schema: './server/tables/pg.ts',
  out: './drizzle/pg',
})
