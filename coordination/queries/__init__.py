"""Every listing a person sees, by name, each taking the principal and reading through
`policy.visible` (the one scoping rule), so a page never builds SQL of its own.

- `records`: a kind's table (search, filters, a sort, one page and the count), one record, its history
- `custody`: an evidence item's chain of custody
- `acquisitions`: an exhibit's acquisitions (images, extractions) and their custody, read as the exhibit is
- `tasks`: a task's updates, an agency's open tasks (filtered) and who holds them
- `drill_down`: the records behind a bar or a map point of the operation picture
- `standing_data`: the operation's name, agency and jurisdiction codes
- `people`: the users an admin provisions
- `notifications`: a person's inbox, unread count, mail due and settings, checked against the
  scoping rule when read
- `picture`: the operation picture's counts from the tallies and the hits told to the viewer
  (`coordination.aggregates` adds them up into the figures)
- `briefing`: what a briefing lists, counts and names within its scope (`coordination.briefing.contents`
  words it)
- `exports`: an export's records, their links' references, recipients and identifiers
  (`coordination.exports` writes them as text)
"""
