"""The case officers' and decision makers' workspace, by area: the dashboard and budget, the queue,
an application's case file, decision meetings, follow-up of grants, and the audit log. Views are
short: access helper, form, one service call, message, redirect; reads live in
grants.selectors.officer."""
