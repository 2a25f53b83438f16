// Renders ZPL labels to PNG with zpl-renderer-js (IngridHQ's Zebrash, a Go ZPL engine compiled to
// WebAssembly): an engine dockhand does not share code with, so the test reads back what another
// implementation of ZPL prints. Input on stdin: a JSON array of {name, zpl, width_mm, height_mm};
// writes DIR/name.png for each.
import fs from "node:fs";
import path from "node:path";
import { webcrypto } from "node:crypto";

// Go's WebAssembly runtime needs Web Crypto, global only from Node 19 on (Debian 12 has Node 18).
globalThis.crypto ??= webcrypto;
const { ready } = await import("zpl-renderer-js");

const out = process.argv[2];
const labels = JSON.parse(fs.readFileSync(0, "utf8"));
const { api } = await ready;
for (const label of labels) {
  const png = await api.zplToBase64Async(label.zpl, label.width_mm, label.height_mm, 8);
  fs.writeFileSync(path.join(out, `${label.name}.png`), Buffer.from(png, "base64"));
}
