"""Guards: checkers that judge a text against a composed policy's guard configuration.

Each guard implements :class:`pluralign.policy.checking.Checker` and returns a
:class:`~pluralign.policy.checking.Verdict` that is safe, unsafe or unparsed (never silently
safe), names the violated rule, its category and tier, and carries its score and threshold.
"""
