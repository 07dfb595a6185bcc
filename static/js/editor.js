// The description editor: a toolbar that writes Markdown into the textarea and a
// preview that the server renders (POST data-preview-url, with the form's CSRF
// token), so what is shown is exactly what will be saved. Without JavaScript the
// textarea takes Markdown as it is and "Xem trước" posts the form.
(function () {
  "use strict";
  var TOOLS = [
    // [label, title, kind, before, after, placeholder]
    ["B", "Chữ đậm (Ctrl+B)", "wrap", "**", "**", "chữ đậm"],
    ["I", "Chữ nghiêng (Ctrl+I)", "wrap", "*", "*", "chữ nghiêng"],
    ["H", "Tiêu đề", "line", "### ", "", "Tiêu đề"],
    ["•", "Danh sách dấu chấm", "line", "- ", "", "mục"],
    ["1.", "Danh sách đánh số", "number", "", "", "mục"],
    ["Liên kết", "Liên kết", "link", "[", "](https://)", "chữ hiện ra"],
  ];

  function editor(box) {
    var textarea = box.querySelector("textarea");
    var pane = box.querySelector("[data-md-preview]");
    var section = box.querySelector(".md-preview");
    var button = box.querySelector("button[name=preview]");
    var form = textarea && textarea.form;
    var token = form && form.querySelector("input[name=csrf_token]");
    if (!textarea || !pane || !form) return;

    var bar = document.createElement("div");
    bar.className = "md-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Định dạng mô tả");
    bar.setAttribute("aria-controls", textarea.id);
    TOOLS.forEach(function (tool) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "md-tool";
      b.textContent = tool[0];
      b.title = tool[1];
      b.setAttribute("aria-label", tool[1]);
      b.addEventListener("click", function () { apply(tool); });
      bar.appendChild(b);
    });
    textarea.parentNode.insertBefore(bar, textarea);

    function apply(tool) {
      var kind = tool[2], before = tool[3], after = tool[4];
      var start = textarea.selectionStart, end = textarea.selectionEnd;
      var value = textarea.value;
      var chosen = value.slice(start, end) || tool[5];
      var text, selStart, selEnd;
      if (kind === "wrap" || kind === "link") {
        text = before + chosen + after;
        selStart = start + before.length;
        selEnd = selStart + chosen.length;
        if (kind === "link") { // select the address to type over
          selStart = start + before.length + chosen.length + 2;
          selEnd = selStart + "https://".length;
        }
      } else {
        // Line tools act on every whole line the selection touches.
        var lineStart = value.lastIndexOf("\n", start - 1) + 1;
        var lineEnd = value.indexOf("\n", end);
        if (lineEnd === -1) lineEnd = value.length;
        var typed = value.slice(lineStart, lineEnd);
        var block = typed || tool[5];
        text = block.split("\n").map(function (line, i) {
          var bare = line.replace(/^(#{1,6} |- |\d+\. )/, "");
          return (kind === "number" ? (i + 1) + ". " : before) + bare;
        }).join("\n");
        // A heading or list starts its own block, unless it continues a list.
        var previous = value.slice(0, lineStart).replace(/\n$/, "");
        previous = previous.slice(previous.lastIndexOf("\n") + 1);
        if (previous.trim() && !/^(- |\d+\. )/.test(previous)) text = "\n" + text;
        start = lineStart;
        end = lineEnd;
        // An empty line gets the placeholder, selected to be typed over; otherwise
        // the caret goes to the end of the changed lines.
        selEnd = start + text.length;
        selStart = typed ? selEnd : selEnd - tool[5].length;
      }
      textarea.focus();
      textarea.setRangeText(text, start, end, "preserve");
      textarea.setSelectionRange(selStart, selEnd);
      schedule();
    }

    textarea.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey)) return;
      var key = event.key.toLowerCase();
      if (key === "b" || key === "i") {
        event.preventDefault();
        apply(TOOLS[key === "b" ? 0 : 1]);
      }
    });

    var timer = null, latest = 0;
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(render, 400);
    }
    function render() {
      var mine = ++latest;
      var body = new URLSearchParams();
      body.set("description", textarea.value);
      fetch(box.dataset.previewUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "X-CSRFToken": token ? token.value : "",
        },
        body: body,
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || mine !== latest) return;
          // The server's sanitised HTML (shop/catalog/sanitize.py), as it will be saved.
          pane.innerHTML = data.html || "";
          section.removeAttribute("data-empty");
        })
        .catch(function () { /* the preview button still works */ });
    }
    textarea.addEventListener("input", schedule);
    if (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        render();
        section.setAttribute("tabindex", "-1");
        section.focus();
      });
    }
    if (textarea.value.trim()) render();
  }

  document.querySelectorAll("[data-md-editor]").forEach(editor);
})();
