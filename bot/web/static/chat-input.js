// The question box: Enter sends, the length is shown as it nears the limit (nothing is ever cut),
// and while someone types on a short screen the page makes room for the conversation.

// The counter appears once a message has used this share of the limit.
var NEAR = 0.8;
var UNFOLD_MS = 400;

export class QuestionBox {
  constructor(form, input, counter, maxChars, words) {
    this.form = form;
    this.input = input;
    this.counter = counter;
    this.maxChars = maxChars;
    this.words = words;
    var box = this;
    input.addEventListener("input", function () {
      box.count();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    // The keyboard takes half a phone's screen: the CSS folds the hint, the footer and the
    // privacy line away while this is set, and only on short screens.
    input.addEventListener("focus", function () {
      document.body.classList.add("typing");
    });
    // Unfolded a moment after focus leaves, not at once: a tap on a button below would otherwise
    // land on whatever the page moved there.
    var unfold = null;
    input.addEventListener("focus", function () {
      window.clearTimeout(unfold);
    });
    input.addEventListener("blur", function () {
      unfold = window.setTimeout(function () {
        if (document.activeElement !== input) {
          document.body.classList.remove("typing");
        }
      }, UNFOLD_MS);
    });
  }

  get value() {
    return this.input.value;
  }

  set value(text) {
    this.input.value = text;
    this.count();
  }

  tooLong() {
    return this.input.value.length > this.maxChars;
  }

  count() {
    var used = this.input.value.length;
    var over = used > this.maxChars;
    if (used < this.maxChars * NEAR) {
      this.counter.hidden = true;
      this.counter.textContent = "";
    } else {
      var template = over ? this.words.over_limit : this.words.near_limit;
      this.counter.innerHTML = template.replace("{used}", used.toLocaleString("en-GB"));
      this.counter.hidden = false;
    }
    this.counter.classList.toggle("ask__count--over", over);
    if (over) {
      this.input.setAttribute("aria-invalid", "true");
    } else {
      this.input.removeAttribute("aria-invalid");
    }
    return over;
  }

  focus() {
    this.input.focus();
  }
}
