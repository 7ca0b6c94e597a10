// The evidence JSON Schema a site publishes, checked with an independent validator
// (ajv) against evidence the core produces and against broken evidence.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { BIN, scratchDir } from "./support.mjs";

test("evidence validates against the schema every site publishes; broken evidence does not", () => {
  const work = scratchDir("schema");
  try {
    mkdirSync(path.join(work, "src"));
    writeFileSync(path.join(work, "src", "release.md"), "# Release\n\n- [ ] Back up\n");
    execFileSync(BIN, ["build", "src", "-o", "site"], { cwd: work, stdio: "pipe" });
    const schema = JSON.parse(readFileSync(path.join(work, "site/schema/evidence.v1.json"), "utf8"));
    const printed = JSON.parse(execFileSync(BIN, ["schema", "evidence"], { encoding: "utf8" }));
    assert.deepEqual(schema, printed, "the site publishes what `checkdown schema evidence` prints");

    // Strict: a keyword or format JSON Schema does not define is an error, as it would
    // be in a pipeline whose validator is strict.
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
    const evidence = JSON.parse(readFileSync("docs/examples/release.evidence.json", "utf8"));
    assert.ok(validate(evidence), JSON.stringify(validate.errors));

    const broken = structuredClone(evidence);
    broken.items[0].state = "finished";
    delete broken.head;
    broken.extra = true;
    assert.equal(validate(broken), false);
    const problems = validate.errors.map((e) => `${e.instancePath} ${e.message}`).join("\n");
    assert.match(problems, /state/);
    assert.match(problems, /head/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
