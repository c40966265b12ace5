"""A local GitHub: REST as GitHub answers it, real git over smart HTTP, signed webhooks, faults.

Start one in-process with ``bot.emulator.testing.start_emulator()`` (tests, the demo) or from
the command line with ``issuebot emulator --port P`` (``--help`` lists users, seed format and
the ``/_emulator`` admin API). The REST API lives at the root like api.github.com, so
PyGithub takes ``base_url="http://127.0.0.1:PORT"``; git lives at ``/OWNER/REPO.git``.

Behaviour worth knowing (each mirrors github.com unless marked *emulator*):

- Auth: ``Authorization: token|Bearer TOKEN`` (PATs, installation tokens) or an App JWT
  (RS256, ``iss`` = app id) for ``/app...`` endpoints; HTTP Basic with the token as password
  for git. Unknown/expired tokens answer 401 "Bad credentials"; anonymous writes 401
  "Requires authentication". Installation tokens (minted ones, and an Actions
  ``GITHUB_TOKEN`` from ``actions_token()`` acting as ``github-actions[bot]``) get 403
  "Resource not accessible by integration" from ``GET /user``; ``/app`` without a JWT 401.
- Permissions: admin > maintain > write > triage > read. Public repos are readable by all
  and anyone signed in may open issues and comment (labels/assignees they pass are dropped);
  triage is needed to label, write to push/merge/create refs, admin for branch protection.
  Private repos answer 404 to outsiders for reads and writes. Only Bot accounts (GitHub
  Apps) may write check runs. A non-collaborator's permission reads ``none``.
- Pull requests compare real branches; merges write real merge/squash commits with
  ``merge-tree``/``commit-tree``/``update-ref``; conflicts give ``mergeable: false``
  (``dirty``); required checks (branch protection) give ``blocked`` and a 405 on merge.
  Merging into the default branch closes issues named by close/fix/resolve ``#N`` (or
  ``acme/widgets#N``) with ``state_reason: completed``. Open PRs follow their head branch.
  Merge, squash and rebase (each commit replayed, new shas) are all on by default; the admin
  API or seed's ``merge_methods`` turns one off (405 with GitHub's message). ``mergeable``
  is null (``unknown``) after a push to head or base until a ``GET /pulls/N`` has started
  GitHub's background computation; that read answers null, the next one the value.
- Webhooks go to one configured URL (*emulator*: one hook for every repository, like an App
  webhook), sent in order by one background thread and all recorded. Redelivery re-sends
  the same body with the same ``X-GitHub-Delivery`` GUID, as GitHub's Redeliver does.
  Label changes send ``label.created/edited/deleted`` (adding an unknown label to an issue
  creates it, announced first).
- Faults (``bot.emulator.faults``) replace the next K matching calls; ``already_exists``
  applies the request first, then answers 422, like a retried create racing itself.
- Forks: a test-only fork (every branch copied) and PRs from ``forker:branch``, whose head
  stays at ``pull/N/head`` (pushes to the fork do not move it; no fork REST route).
- ``issuebot emulator`` stops within 2 s on SIGINT (exit 130) or SIGTERM (exit 0) and
  removes its temporary directory.
- Actions: off by default (``workflow_run.completed`` is announced on request). Opt-in
  (``--run-workflows``), a small runner (bot/emulator/runner.py, actions.py) runs pushed
  workflows' checkout/setup-python/run steps in the bot's sandbox, offline, and posts a
  check run per job as "GitHub Actions"; any other feature makes the job neutral.
- Not modelled: reviews, milestones, teams beyond membership, rulesets, GraphQL.
"""
