"""Trigger blueprints: each function translates a trigger into one call into crm_core, nothing else.

The work is imported inside each function, so `import function_app` stays light (cold start).
"""
