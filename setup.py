"""The compiled part of the project (the restorer's n-gram tables and beam search); everything
else is declared in pyproject.toml. ``pip install -e .`` builds it in place for each environment."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "common.text._ngram",
            ["common/text/_ngram.c"],
            # the sums must round as Python's do: no fused multiply-add
            extra_compile_args=["-O2", "-ffp-contract=off", "-std=c11"],
        )
    ]
)
