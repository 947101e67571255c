/* Small DOM and HTTP helpers shared by the pages (no framework, no build step). */
"use strict";
window.SP = window.SP || {};

(function (SP) {
  /** h("div", {class: "x", "data-testid": "y", onclick: fn}, child, "text", [more]) → Element. */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children) {
      if (child === undefined || child === null || child === false) continue;
      if (Array.isArray(child)) append(node, child);
      else node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }

  async function getJson(path) {
    const response = await fetch(path, { headers: { Accept: "application/json", ...SP.token.headers() } });
    if (response.status === 401) throw SP.token.refused();
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const message = (body.messages && body.messages.join(" ")) || response.statusText;
      throw new Error(`${response.status}: ${message}`);
    }
    return body;
  }

  function modelPath(qn, page) {
    return `#/models/${encodeURIComponent(qn)}${page ? "/" + page : ""}`;
  }

  function setBreadcrumbs(items) {
    const nav = document.getElementById("breadcrumbs");
    nav.replaceChildren();
    items.forEach(([label, href], index) => {
      if (index > 0) nav.append(h("span", { class: "sep" }, "/"));
      nav.append(href ? h("a", { href }, label) : h("span", {}, label));
    });
  }

  function formatTime(ms) {
    const date = new Date(ms || Date.now());
    const pad = (n, w = 2) => String(n).padStart(w, "0");
    return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  }

  /** Numbers shown to people: at most three decimals. */
  function formatValue(value) {
    if (typeof value === "number" && !Number.isInteger(value)) return String(Number(value.toFixed(3)));
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  }

  function compactJson(value) {
    return JSON.stringify(value, (key, v) => (typeof v === "number" && !Number.isInteger(v) ? Number(v.toFixed(3)) : v));
  }

  Object.assign(SP, { h, formatValue, compactJson, getJson, modelPath, setBreadcrumbs, formatTime, newId });
})(window.SP);
