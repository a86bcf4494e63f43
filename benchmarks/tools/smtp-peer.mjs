// The peer the scenarios measure the gateway against: a no-op SMTP server on Nodemailer's smtp-server, the library
// most home-made SMTP-to-HTTP bridges are built on, with TLS and AUTH on as the gateway has them. It accepts any
// login and every message, reads the content and keeps nothing.
// Usage: node smtp-peer.mjs PORT implicit|starttls CERT.pem KEY.pem
import fs from "node:fs";
import { SMTPServer } from "smtp-server";

const [port, mode, certificate, key] = process.argv.slice(2);
const server = new SMTPServer({
  secure: mode === "implicit",
  cert: fs.readFileSync(certificate),
  key: fs.readFileSync(key),
  authMethods: ["PLAIN", "LOGIN"],
  size: 35 * 1024 * 1024,
  maxClients: 100000,
  logger: false,
  disableReverseLookup: true,
  onAuth(auth, session, callback) {
    callback(null, { user: auth.username });
  },
  onData(stream, session, callback) {
    stream.on("data", () => {});
    stream.on("end", () => callback(null, "Message queued"));
  },
});
// Node leaves Nagle's algorithm on; the gateway turns it off, and so does the peer. (smtp-server also waits 100 ms
// before its greeting to catch clients that talk too soon; that is the library's, and stays.)
server.server.on("connection", (socket) => socket.setNoDelay(true));
server.on("error", (error) => console.error("peer:", error.message));
server.listen(Number(port), "127.0.0.1", () => console.log(`smtp peer listening on ${port} (${mode})`));
