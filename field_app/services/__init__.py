"""What the views call: app state and service interfaces, plain Python with no Flet imports.

* ``observable`` — a tiny subscribe/notify base for state objects the UI watches;
* ``state`` — ``SessionState`` (first start / locked / unlocked, who, language) and
  ``SyncStatus`` (online, pending changes, last sync, progress, error);
* ``settings`` — non-secret preferences kept in a JSON file beside the store;
* ``problem`` — ``Problem``, what the UI shows when something is wrong (an i18n key);
* ``pin_policy`` — which PINs are accepted (the store's rule when it is installed);
* ``forms`` — form models with their validation (first start, unlock, settings);
* ``device`` — the ``Device`` interface (store + sign-in) the screens use, and its errors;
* ``store_device`` — ``StoreDevice``, that interface over ``field_app.store``;
* ``app`` — ``AppServices``, the bundle a Flet session is built from;
* ``families`` — the families list (search, filters, paging);
* ``family_card`` — the family card assembled from the store (members, timeline, conflicts);
* ``family_forms`` — the family and member forms, saved against what they loaded;
* ``open_forms`` — the record forms open in a session by route (rebuilt screens keep typed
  text), their drafts written when the worker leaves and before the store locks;
* ``draft_store`` — the record forms' drafts sealed in the store as the worker types
  (``DraftSaver``: debounced, flushed before lock), restored, discarded, pruned after syncs;
* ``form_drafts`` — the family, member and placement forms' draft keys, to and from drafts;
* ``visit_form``, ``visits`` — the home-visit form as typed, saving, amending, the visit view;
* ``notes`` — append-only notes and their corrections;
* ``due`` — the due-visits place: overdue first, mine first, the date in words;
* ``reviews`` — supervisor review: the queue, each record's review status, decisions, and the
  worker's returned records;
* ``sync_overview``, ``sync_problems`` — what the sync screen shows from the store, and each
  sync error in words with the next step;
* ``conflicts``, ``values``, ``record_names`` — edit conflicts (who sees them, resolving),
  field values in words, records by a human name;
* ``account`` — the change-PIN form and the sign-out decision.

Everything here that blocks (files, key derivation, queries) is called by the views through
``asyncio.to_thread``.
"""
