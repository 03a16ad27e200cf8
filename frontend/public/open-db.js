// The first thing the app shell runs (a plain async script, index.html: it runs as soon
// as it arrives and holds nothing up): it opens the phone's IndexedDB and, on a patient's
// phone, reads what the first Today needs, while the app's own script is still arriving
// and compiling. src/db.ts and src/boot.ts take both; should the app's script run first,
// they open and read themselves. A phone without the database yet: the creation is
// aborted here and the app creates it (src/db.ts). Keep the names and the range in step
// with src/boot.ts.
(function () {
  "use strict";
  var patient = false;
  try {
    patient = localStorage.getItem("ldn-role") === "patient";
  } catch (e) {
    // storage blocked: open only
  }
  var now = Date.now();
  var day = function (ms) {
    return new Date(ms).toISOString().slice(0, 10);
  };
  var result = function (req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () {
        resolve(req.result);
      };
      req.onerror = function () {
        reject(req.error);
      };
    });
  };
  window.__ldnEarly = new Promise(function (resolve) {
    var open;
    try {
      open = indexedDB.open("ldn-diary", 1);
    } catch (e) {
      resolve(null);
      return;
    }
    open.onupgradeneeded = function () {
      open.transaction.abort(); // no database yet, or an older one: the app's own open
    };
    open.onerror = function () {
      resolve(null);
    };
    open.onsuccess = function () {
      var db = open.result;
      db.onversionchange = function () {
        db.close(); // a newer app upgrades the database
      };
      if (!patient) {
        resolve({ db: db, snapshot: null });
        return;
      }
      var from = day(now - 2 * 86400000);
      var to = day(now + 86400000);
      var range = IDBKeyRange.bound(from, to);
      var tx = db.transaction(["meta", "entries", "doses", "outbox", "conflicts"]);
      var meta = tx.objectStore("meta");
      Promise.all([
        result(meta.get("whoami")),
        result(meta.get("profile")),
        result(meta.get("plan")),
        result(tx.objectStore("entries").getAll(range)),
        result(tx.objectStore("doses").getAll(range)),
        result(tx.objectStore("outbox").getAll()),
        result(tx.objectStore("conflicts").getAll()),
        result(meta.getAll(IDBKeyRange.bound("draft:" + from, "draft:" + to))),
      ]).then(
        function (r) {
          var snapshot = { who: r[0], profile: r[1], plan: r[2], from: from, to: to, entries: r[3], doses: r[4], outbox: r[5], conflicts: r[6], drafts: r[7] };
          resolve({ db: db, snapshot: snapshot });
        },
        function () {
          resolve({ db: db, snapshot: null });
        },
      );
    };
  });
})();
