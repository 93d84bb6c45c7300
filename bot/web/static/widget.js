// The embeddable widget: <script src="https://BOT/widget.js" defer></script> on the school's site
// adds a launcher button that opens the chat in an iframe. Escape (here or inside the chat)
// closes it and puts focus back on the launcher. Optional: data-label="..." on the script tag.
// On a site the bot does not allow (PRIVACYBOT_EMBED_ORIGINS), or when the chat cannot be
// reached, the panel gives the school office's email instead of a broken frame.
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__privacybotWidget) {
    return;
  }
  window.__privacybotWidget = true;

  // Filled in by the server: the sites allowed to frame the chat and the widget's words.
  var settings = /*PRIVACYBOT_SETTINGS*/ null;
  var words = settings.words;
  var botOrigin = new URL(script.src, document.baseURI).origin;
  var chatUrl = botOrigin + "/chat?embed=1";
  var allowed =
    window.location.origin === botOrigin ||
    settings.allowed_origins.indexOf(window.location.origin) !== -1;
  // How long the chat has to say it loaded before the office's email is shown instead.
  var READY_MS = 10000;
  var FULL_SCREEN = window.matchMedia("(max-width: 480px), (max-height: 480px)");

  // Inside a shadow root the host page's CSS cannot reach the widget, nor the widget's the page.
  var css = [
    ":host { all: initial; }",
    ".launcher { position: fixed; right: 16px; bottom: 16px; z-index: 2147483000;",
    "  min-width: 48px; min-height: 48px; padding: 12px 18px; border: 2px solid #ffffff;",
    "  border-radius: 24px; background: #1d4f73; color: #ffffff; cursor: pointer;",
    "  font: 600 16px/1.25 system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif;",
    "  box-shadow: 0 2px 8px rgba(0, 0, 0, 0.3); }",
    ".launcher:hover { background: #143a56; }",
    ".launcher:focus-visible, .close:focus-visible, a:focus-visible {",
    "  outline: 3px solid #ffdd00; outline-offset: 0; box-shadow: 0 0 0 6px #0b0c0c; }",
    ".panel { position: fixed; right: 16px; bottom: 84px; z-index: 2147483000;",
    "  width: min(400px, calc(100vw - 32px)); height: min(640px, calc(100vh - 108px));",
    "  border: 1px solid #8a9299; border-radius: 12px; overflow: hidden; background: #ffffff;",
    "  box-shadow: 0 8px 24px rgba(0, 0, 0, 0.25); }",
    ".panel[hidden] { display: none; }",
    ".frame { display: block; width: 100%; height: 100%; border: 0; }",
    ".frame[hidden] { display: none; }",
    ".unavailable { padding: 16px; color: #1b1f24;",
    "  font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; }",
    ".unavailable[hidden] { display: none; }",
    ".unavailable p { margin: 0 0 16px; }",
    ".unavailable a { color: #0b4f8a; }",
    ".close { min-height: 44px; min-width: 44px; padding: 8px 16px; border: 2px solid #1d4f73;",
    "  border-radius: 8px; background: #ffffff; color: #1d4f73; font: inherit; font-weight: 600;",
    "  cursor: pointer; }",
    ".panel--message { height: auto; }",
    ".visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;",
    "  clip-path: inset(50%); white-space: nowrap; }",
    // On a phone the chat takes the whole screen; its own Close button and Escape bring the
    // page back, with focus on the launcher.
    "@media (max-width: 480px), (max-height: 480px) {",
    "  .launcher { right: 8px; bottom: 8px; }",
    "  .panel { inset: 0; width: auto; height: auto; border: 0; border-radius: 0; }",
    "  .panel--message { inset: auto 0 0 0; border-top: 1px solid #8a9299; }",
    "}",
  ].join("\n");

  function shadowHost() {
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
    return host;
  }

  function launcherButton() {
    var launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "launcher";
    if (script.getAttribute("data-label")) {
      launcher.textContent = script.getAttribute("data-label");
    } else {
      launcher.innerHTML = words.launcher;
    }
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "privacybot-panel");
    return launcher;
  }

  // What the panel shows when the chat cannot be: a short line with the office's email.
  function unavailableBox(onClose) {
    var box = document.createElement("div");
    box.className = "unavailable";
    box.hidden = true;
    var line = document.createElement("p");
    line.innerHTML = words.widget_unavailable;
    var closeButton = document.createElement("button");
    closeButton.type = "button";
    closeButton.className = "close";
    closeButton.innerHTML = words.close + '<span class="visually-hidden"></span>';
    closeButton.lastChild.innerHTML = words.close_hidden;
    closeButton.addEventListener("click", onClose);
    box.append(line, closeButton);
    return { box: box, closeButton: closeButton };
  }

  function build() {
    var host = shadowHost();
    var launcher = launcherButton();
    var panel = document.createElement("div");
    panel.id = "privacybot-panel";
    panel.className = "panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "Chat about our privacy notice");
    panel.hidden = true;
    var fallback = unavailableBox(function () {
      close();
    });
    var unavailable = fallback.box;
    var closeButton = fallback.closeButton;
    panel.appendChild(unavailable);

    var frame = null;
    var ready = false;
    var readyTimer = null;

    function showUnavailable() {
      if (frame) {
        frame.hidden = true;
      }
      panel.classList.add("panel--message");
      unavailable.hidden = false;
      closeButton.focus();
    }

    function fullScreen() {
      return !panel.hidden && FULL_SCREEN.matches && frame && !frame.hidden;
    }

    function tellTrap() {
      if (frame && ready) {
        frame.contentWindow.postMessage({ type: "privacybot:trap", on: fullScreen() }, botOrigin);
      }
    }

    function focusChat() {
      if (!frame || frame.hidden) {
        return;
      }
      frame.focus();
      frame.contentWindow.postMessage({ type: "privacybot:focus" }, botOrigin);
      tellTrap();
    }

    function open() {
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      if (!allowed) {
        showUnavailable();
        return;
      }
      if (!frame) {
        // The chat loads only when someone asks for it, not with every page of the site.
        frame = document.createElement("iframe");
        frame.className = "frame";
        frame.title = "Chat about our privacy notice";
        frame.src = chatUrl;
        panel.appendChild(frame);
        readyTimer = window.setTimeout(function () {
          if (!ready) {
            showUnavailable();
          }
        }, READY_MS);
      } else if (frame.hidden) {
        closeButton.focus();
      } else {
        focusChat();
      }
    }

    function close() {
      if (panel.hidden) {
        return;
      }
      panel.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
      tellTrap();
      launcher.focus();
    }

    launcher.addEventListener("click", function () {
      if (panel.hidden) {
        open();
      } else {
        close();
      }
    });

    // Escape closes whatever the panel shows, wherever focus is on the school's page.
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        close();
      }
    });

    // Full screen, the chat is all there is: focus that wanders onto the page behind (Tab out
    // of the frame, a click) goes back into the chat until it is closed.
    document.addEventListener("focusin", function (event) {
      if (fullScreen() && event.target !== host) {
        focusChat();
      }
    });
    FULL_SCREEN.addEventListener("change", tellTrap);

    window.addEventListener("message", function (event) {
      // Only the chat we framed may speak to the widget.
      if (!frame || event.origin !== botOrigin || event.source !== frame.contentWindow) {
        return;
      }
      var type = event.data && event.data.type;
      if (type === "privacybot:ready") {
        ready = true;
        window.clearTimeout(readyTimer);
        if (!panel.hidden) {
          focusChat();
        }
      } else if (type === "privacybot:close") {
        close();
      }
    });

    host.shadowRoot.append(launcher, panel);
    document.body.appendChild(host);
  }

  if (document.body) {
    build();
  } else {
    document.addEventListener("DOMContentLoaded", build);
  }
})();
