"""Building the text models (application environment): training of the diacritic restorer
(:mod:`indexer.text.train`, ``tthc text build``) and the ``tthc text`` / ``tthc normalize``
commands (:mod:`indexer.text.commands`).

What reads citizens' text at run time (normalisation, lexicon, restoration, masking) is
:mod:`common.text`, which the Rasa environment imports too.
"""
