// The embeddable widget: <script src="https://BOT/widget.js" defer></script> on the school's site
// adds a launcher button that opens the chat in an iframe. Escape (here or inside the chat)
// closes it and puts focus back on the launcher. Optional: data-label="..." on the script tag.
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__privacybotWidget) {
    return;
  }
  window.__privacybotWidget = true;

  var botOrigin = new URL(script.src, document.baseURI).origin;
  var chatUrl = botOrigin + "/chat?embed=1";
  var label = script.getAttribute("data-label") || "Questions about pupil privacy?";

  // Inside a shadow root the host page's CSS cannot reach the widget, nor the widget's the page.
  var css = [
    ":host { all: initial; }",
    ".launcher { position: fixed; right: 16px; bottom: 16px; z-index: 2147483000;",
    "  min-width: 48px; min-height: 48px; padding: 12px 18px; border: 2px solid #ffffff;",
    "  border-radius: 24px; background: #1d4f73; color: #ffffff; cursor: pointer;",
    "  font: 600 16px/1.25 system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif;",
    "  box-shadow: 0 2px 8px rgba(0, 0, 0, 0.3); }",
    ".launcher:hover { background: #143a56; }",
    ".launcher:focus-visible { outline: 3px solid #ffdd00; outline-offset: 0;",
    "  box-shadow: 0 0 0 6px #0b0c0c; }",
    ".panel { position: fixed; right: 16px; bottom: 84px; z-index: 2147483000;",
    "  width: min(400px, calc(100vw - 32px)); height: min(640px, calc(100vh - 108px));",
    "  border: 1px solid #8a9299; border-radius: 12px; overflow: hidden; background: #ffffff;",
    "  box-shadow: 0 8px 24px rgba(0, 0, 0, 0.25); }",
    ".panel[hidden] { display: none; }",
    ".frame { display: block; width: 100%; height: 100%; border: 0; }",
    // On a phone the chat takes the whole screen; its own Close button and Escape bring the
    // page back, with focus on the launcher.
    "@media (max-width: 480px), (max-height: 480px) {",
    "  .launcher { right: 8px; bottom: 8px; }",
    "  .panel { inset: 0; width: auto; height: auto; border: 0; border-radius: 0; }",
    "}",
  ].join("\n");

  function build() {
    // A landmark of its own, so assistive technology lists the chat among the page's regions.
    var host = document.createElement("aside");
    host.setAttribute("aria-label", "Privacy questions");
    host.setAttribute("data-privacybot", "");
    var root = host.attachShadow({ mode: "open" });
    if ("adoptedStyleSheets" in root && window.CSSStyleSheet) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } else {
      var style = document.createElement("style");
      style.textContent = css;
      root.appendChild(style);
    }

    var launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "launcher";
    launcher.textContent = label;
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "privacybot-panel");

    var panel = document.createElement("div");
    panel.id = "privacybot-panel";
    panel.className = "panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "Chat about our privacy notice");
    panel.hidden = true;

    var frame = null;

    function focusChat() {
      frame.focus();
      frame.contentWindow.postMessage({ type: "privacybot:focus" }, botOrigin);
    }

    function open() {
      var first = !frame;
      if (first) {
        // The chat loads only when someone asks for it, not with every page of the site.
        frame = document.createElement("iframe");
        frame.className = "frame";
        frame.title = "Chat about our privacy notice";
        frame.src = chatUrl;
        frame.addEventListener("load", focusChat);
        panel.appendChild(frame);
      }
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      if (!first) {
        focusChat();
      }
    }

    function close() {
      if (panel.hidden) {
        return;
      }
      panel.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
      launcher.focus();
    }

    launcher.addEventListener("click", function () {
      if (panel.hidden) {
        open();
      } else {
        close();
      }
    });

    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        close();
      }
    });

    window.addEventListener("message", function (event) {
      // Only the chat we framed may close it.
      if (
        frame &&
        event.origin === botOrigin &&
        event.source === frame.contentWindow &&
        event.data &&
        event.data.type === "privacybot:close"
      ) {
        close();
      }
    });

    root.append(launcher, panel);
    document.body.appendChild(host);
  }

  if (document.body) {
    build();
  } else {
    document.addEventListener("DOMContentLoaded", build);
  }
})();
