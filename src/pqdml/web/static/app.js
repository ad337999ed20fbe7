// pqdml web: sortable tables and an upload progress bar. No other script is loaded.
// One function scope: a refused upload's page is written into this document and runs it again.
(() => {
  "use strict";
  document.querySelectorAll("table.sortable").forEach((table) => {
    table.querySelectorAll("th").forEach((th, col) => {
      const sort = () => {
        const body = table.tBodies[0];
        const asc = th.dataset.order !== "asc";
        table.querySelectorAll("th").forEach((h) => delete h.dataset.order);
        th.dataset.order = asc ? "asc" : "desc";
        const key = (row) => {
          const cell = row.cells[col];
          return cell.dataset.value !== undefined ? parseFloat(cell.dataset.value) : cell.textContent;
        };
        const rows = Array.from(body.rows);
        rows.sort((a, b) => {
          const x = key(a), y = key(b);
          const blankX = x === "" || Number.isNaN(x), blankY = y === "" || Number.isNaN(y);
          if (blankX || blankY) return blankX - blankY;  // empty cells last either way
          const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
          return asc ? c : -c;
        });
        rows.forEach((r) => body.appendChild(r));
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", (e) => { if (e.key === "Enter") sort(); });
    });
  });

  const form = document.getElementById("screen-form");
  if (form) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const bar = document.getElementById("upload-progress");
      const button = document.getElementById("screen-submit");
      bar.hidden = false;
      button.disabled = true;
      const xhr = new XMLHttpRequest();
      xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) bar.value = (100 * e.loaded) / e.total; });
      xhr.addEventListener("load", () => {
        if (xhr.responseURL && xhr.status === 200 && xhr.responseURL.indexOf("/screen/jobs/") >= 0) {
          window.location.assign(xhr.responseURL);
        } else {
          document.open(); document.write(xhr.responseText); document.close();
        }
      });
      xhr.addEventListener("error", () => { button.disabled = false; bar.hidden = true; alert("upload failed"); });
      xhr.open("POST", form.action);
      xhr.send(new FormData(form));
    });
  }
})();
