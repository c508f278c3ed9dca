"""Controllers: the app's behaviour as plain async objects, without Textual.

A controller does the work (calls the client, keeps state, saves what must
be saved) and tells a listener what happened; a screen subscribes and
renders. They are tested with plain ``asyncio`` (no Pilot), like
``hftui.batch.runner.BatchRunner``.

    run_session.RunSession   # one Playground run at a time: stream, partial output, conversation,
                             # image saving, errors in one message, the history record
    cost.CostEstimate        # what an endpoint costs per hour, in the words every screen and batch use;
                             # cost.billed_replicas / cost.burn_rate: what is being charged now
    meter.StreamMeter        # tokens, tokens/s, time to first token of a stream
"""
