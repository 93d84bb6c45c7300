// Inside the widget's frame: Escape and the Close button ask the school's page to close the chat,
// and while the page shows the chat full screen (a phone) Tab keeps to the chat.

var FOCUSABLE = "a[href], button:not(:disabled), textarea:not(:disabled), [tabindex='0']";

function visible(element) {
  return element.offsetParent !== null || element === document.activeElement;
}

export function embedInFrame(closeButton, focusInput) {
  var trapped = false;

  function closeWidget() {
    // Only a close signal, nothing private: the page that framed us decides what to do.
    window.parent.postMessage({ type: "privacybot:close" }, "*");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      closeWidget();
      return;
    }
    if (event.key !== "Tab" || !trapped) {
      return;
    }
    var stops = Array.prototype.filter.call(document.querySelectorAll(FOCUSABLE), visible);
    if (!stops.length) {
      return;
    }
    var first = stops[0];
    var last = stops[stops.length - 1];
    var here = document.activeElement;
    if (event.shiftKey && (here === first || !document.body.contains(here) || here === document.body)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && here === last) {
      event.preventDefault();
      first.focus();
    }
  });

  if (closeButton) {
    closeButton.addEventListener("click", closeWidget);
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || !event.data) {
      return;
    }
    if (event.data.type === "privacybot:focus") {
      focusInput();
    } else if (event.data.type === "privacybot:trap") {
      trapped = Boolean(event.data.on);
    }
  });

  // Tells the page the chat really loaded: a page that hears nothing shows the office's email.
  window.parent.postMessage({ type: "privacybot:ready" }, "*");
}
