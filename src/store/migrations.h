/*
 * migrations: the numbered schema changes, as SQL text. Migration N moves
 * a database from user_version N-1 to N; each runs in its own transaction.
 * Never edit a migration that has shipped: add the next one.
 */
#ifndef NC_MIGRATIONS_H
#define NC_MIGRATIONS_H

/* The SQL of each migration; migrations[0] is migration 1. */
extern const char *const store_migrations[];
extern const int store_migration_count;

/* The same migrations in PostgreSQL's dialect (pg_migrations.c), the
 * same numbers; pg_migrations[0] is migration 1. */
extern const char *const pg_migrations[];
extern const int pg_migration_count;

#endif
