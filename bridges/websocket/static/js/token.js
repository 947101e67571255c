/* The access token of a bridge started with STREAMPROC_BRIDGE_TOKENS: from `?token=` or a prompt,
   kept in sessionStorage for this tab, sent as `Authorization: Bearer` and as Socket.IO `auth.token`. */
"use strict";

(function (SP) {
  const KEY = "streamproc.token";
  const fromUrl = new URLSearchParams(window.location.search).get("token");
  if (fromUrl) {
    sessionStorage.setItem(KEY, fromUrl);
    const url = new URL(window.location.href);
    url.searchParams.delete("token"); // not left in the address bar, the history or a shared link
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }

  function get() {
    return sessionStorage.getItem(KEY) || "";
  }

  function headers() {
    const token = get();
    return token ? { Authorization: `Bearer ${token}` } : {};
  }

  /** The error a page shows when the bridge refuses this tab's token (or its lack of one). */
  function refused() {
    const error = new Error(get() ? "This bridge refused the access token." : "This bridge requires an access token.");
    error.unauthorized = true;
    return error;
  }

  /** A card saying why, with a field for the token; saving it reloads the page with it. */
  function form(message) {
    const input = SP.h("input", { id: "token-input", type: "password", autocomplete: "off", required: true,
      style: "margin-right: 0.5rem" });
    const save = (event) => {
      event.preventDefault();
      sessionStorage.setItem(KEY, input.value.trim());
      window.location.reload();
    };
    return SP.h("form", { class: "card result", "data-state": "error", "data-testid": "token-form", onsubmit: save },
      SP.h("p", { "data-testid": "token-message" }, message),
      SP.h("label", { for: "token-input" }, "Access token (ask whoever runs this bridge; or open the page with ?token=…)"),
      input,
      SP.h("button", { type: "submit", id: "token-submit" }, "Use this token"));
  }

  SP.token = { get, headers, refused, form };
})(window.SP);
