// The progress bar of a job's page: polls the job's status and reloads the page when the
// job has finished, so the result (or the error) shows. No library needed.
(function () {
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "true") { return; }
  var bar = document.getElementById("job-bar");
  var state = document.getElementById("job-state-count");
  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (job) {
        bar.style.width = job.percent + "%";
        bar.setAttribute("aria-valuenow", job.percent);
        bar.textContent = job.percent + "%";
        if (state && job.total) { state.textContent = job.done + " / " + job.total; }
        if (job.finished || job.status !== box.dataset.status) { window.location.reload(); }
        else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
