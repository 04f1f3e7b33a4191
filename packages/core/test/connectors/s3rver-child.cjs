// Runs s3rver in its own process: s3rver seals ListObjectsV2 continuation tokens with DES, which Node's
// OpenSSL 3 only provides under --openssl-legacy-provider (a flag we do not want on the test process itself).
const S3rver = require("s3rver");

const directory = process.argv[2];
let gets = 0;
const server = new S3rver({ address: "127.0.0.1", port: 0, directory, silent: true, vhostBuckets: false });
server.run().then(({ port }) => {
  server.httpServer.on("request", (req) => {
    const url = new URL(req.url || "/", "http://x");
    // Path-style object GET (/bucket/key…) without listing parameters.
    if (req.method === "GET" && url.pathname.split("/").length > 2 && !url.searchParams.has("list-type"))
      gets++;
  });
  process.send({ port });
});
process.on("message", (message) => {
  if (message === "gets") process.send({ gets });
  if (message === "stop") server.close().finally(() => process.exit(0));
});
process.on("disconnect", () => process.exit(0));
