// Runs a page script (argv[2]) in Node against the elements of a rendered page (argv[3],
// JSON: [{tag, attrs}]), with a document that answers simple selectors
// (tag.class[attr][attr="value"]) and a fetch that only records its calls. Prints the
// calls as JSON: what the script would have requested.
"use strict";
const fs = require("fs");
const vm = require("vm");

const [script, elementsJson] = [process.argv[2], process.argv[3]];
const SELECTOR = /^([a-z0-9]*)((?:\.[\w-]+)*)((?:\[[^\]]+\])*)$/i;

function matches(element, selector) {
  const parts = SELECTOR.exec(selector.trim());
  if (!parts) { throw new Error("unsupported selector " + selector); }
  const [, tag, classes, attributes] = parts;
  if (tag && element.tag !== tag.toLowerCase()) { return false; }
  const own = (element.attrs["class"] || "").split(/\s+/);
  for (const name of classes.split(".").filter(Boolean)) {
    if (!own.includes(name)) { return false; }
  }
  for (const test of attributes.match(/\[[^\]]+\]/g) || []) {
    const [, name, value] = /^\[([\w-]+)(?:="([^"]*)")?\]$/.exec(test);
    if (!(name in element.attrs)) { return false; }
    if (value !== undefined && element.attrs[name] !== value) { return false; }
  }
  return true;
}

function node(spec) {
  return {
    tag: spec.tag,
    attrs: spec.attrs,
    getAttribute(name) { return name in this.attrs ? this.attrs[name] : null; },
    addEventListener() {},
    querySelector() { return null; },
  };
}

const elements = JSON.parse(elementsJson).map(node);
const calls = [];
const pending = { then() { return pending; }, catch() { return pending; } };
const context = {
  document: {
    querySelector(selector) { return elements.find((e) => matches(e, selector)) || null; },
    querySelectorAll(selector) { return elements.filter((e) => matches(e, selector)); },
  },
  fetch(url, options) {
    calls.push({ url: String(url), method: (options && options.method) || "GET" });
    return pending;
  },
  Intl,
  location: { pathname: "/" },
};
context.window = context;
vm.runInNewContext(fs.readFileSync(script, "utf8"), context);
process.stdout.write(JSON.stringify(calls));
