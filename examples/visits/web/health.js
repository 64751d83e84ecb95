'use strict';
// The container's health check: healthy when the app answers /health (which asks Redis and PostgreSQL).
const http = require('http');
const port = Number(process.env.PORT || 8080);
const req = http.get({ host: '127.0.0.1', port, path: '/health', timeout: 2000 }, (res) => process.exit(res.statusCode === 200 ? 0 : 1));
req.on('timeout', () => req.destroy());
req.on('error', () => process.exit(1));
