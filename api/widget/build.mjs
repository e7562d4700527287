// Bundle src/ into ../static/widget.js (one self-contained IIFE, CSS inlined).
// WIDGET_HASH (set by `make widget`) is written in the banner so make can tell the
// bundle is up to date without node.
import { build } from "esbuild";

const hash = process.env.WIDGET_HASH || "dev";
await build({
  entryPoints: ["src/widget.js"],
  outfile: "../static/widget.js",
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2019",
  loader: { ".css": "text" },
  legalComments: "none",
  banner: { js: `/* tthc widget — built from api/widget/ — inputs:${hash} */` },
  logLevel: "info",
});
