/**
 * Runs the embedded MongoDB-wire-compatible server in a process of its own and prints its
 * URI on the first line of stdout. The bench talks to it from another process, as an
 * application talks to a mongod: the server's work and the client's (validation,
 * encryption, BSON) run on different cores, and neither is charged for the other's.
 */
import { startEmbeddedMongo } from '../src/embedded/mongo/server.js';

const server = await startEmbeddedMongo();
process.stdout.write(`${server.uri}\n`);
const stop = () => void server.stop().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Ends with the bench: a closed stdin means the parent is gone.
process.stdin.on('end', stop).resume();
