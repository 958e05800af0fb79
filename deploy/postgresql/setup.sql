-- Run once on the primary as postgres: psql -v party_password="'…'" -v replicator_password="'…'" -f setup.sql
CREATE ROLE party LOGIN PASSWORD :party_password;
CREATE DATABASE party OWNER party ENCODING 'UTF8' TEMPLATE template0;
CREATE ROLE replicator LOGIN REPLICATION PASSWORD :replicator_password;
\c party
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
