"""Every listing a person sees, by name, each taking the principal and reading through
`policy.visible` (the one scoping rule), so a page never builds SQL of its own.

- `records`: a kind's table (search, filters, a sort, one page and the count), one record, its history
- `custody`: an evidence item's chain of custody
- `tasks`: a task's updates, an agency's open tasks (filtered) and who holds them
- `drill_down`: the records behind a bar or a map point of the operation picture
- `reference`: the operation's name, agency and jurisdiction codes
- `people`: the users an admin provisions
- `notifications`: a person's inbox, unread count, mail due and settings, checked against the
  scoping rule when read

Export rows are `coordination.exports.build`; the operation picture's figures are
`coordination.aggregates.picture`.
"""
