"""The mock's pure pipeline: routing, preferences, security, parameters, bodies, answers, the engine.

Plain functions over the contract's frozen model (:mod:`usage_contract_kit.model`) and plain
request data; no web framework, no server, no file. :func:`mockserver.core.engine.handle`
composes them into the answer to one request; :func:`mockserver.core.engine.build_state`
makes everything a request reads (routes, ready answers, refusal plans) once per spec.
"""
