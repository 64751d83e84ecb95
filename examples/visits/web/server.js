'use strict';
// The visits app: GET / records the visit in PostgreSQL, counts it in Redis and answers both counts as JSON
// (recorded first, so a visit that could not be recorded is not counted either).
// GET /health answers 200 when both stores answer. Configured by REDIS_URL, DATABASE_URL and PORT.
const http = require('http');
const { createClient } = require('redis');
const { Pool } = require('pg');

const redis = createClient({ url: process.env.REDIS_URL || 'redis://cache:6379' });
redis.on('error', (e) => console.error(`redis: ${e.message}`));
const pool = new Pool({ connectionString: process.env.DATABASE_URL || 'postgres://postgres@db:5432/postgres', max: 4 });
// A pooled connection that the server ends (a database restart) is dropped; the next query opens a new one.
pool.on('error', (e) => console.error(`postgres: ${e.message}`));

async function prepare() {
    await redis.connect();
    await pool.query('CREATE TABLE IF NOT EXISTS visits (id serial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), path text NOT NULL)');
}

async function handle(req, res) {
    if (req.url === '/health') {
        await redis.ping();
        await pool.query('SELECT 1');
        res.end('ok\n');
        return;
    }
    if (req.url === '/') {
        await pool.query('INSERT INTO visits (path) VALUES ($1)', [req.url]);
        const { rows } = await pool.query('SELECT count(*)::int AS n FROM visits');
        const visits = await redis.incr('visits');
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ visits, recorded: rows[0].n }) + '\n');
        return;
    }
    res.statusCode = 404;
    res.end('not found\n');
}

const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
        res.statusCode = 503;
        res.end(`error: ${e.message}\n`);
    });
});

prepare()
    .then(() => server.listen(Number(process.env.PORT || 8080), () => console.log(`visits: listening on ${server.address().port}`)))
    .catch((e) => {
        console.error(`visits: cannot start: ${e.message}`);
        process.exit(1);
    });

process.on('SIGTERM', () => {
    server.close();
    redis.quit().catch(() => {}).finally(() => pool.end().finally(() => process.exit(0)));
});
