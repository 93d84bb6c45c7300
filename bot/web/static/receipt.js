// The receipt page's Print button: shown only where a script can print.
(function () {
  "use strict";
  var button = document.getElementById("print");
  if (button && window.print) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  }
})();
