"""The assistant's Rasa bot, in two environments.

- ``bot/data/``: the training data (NLU examples, rules, stories); ``bot/results/``: NLU reports;
- ``bot/rasa_env/``: what runs in Rasa's environment (Python 3.10): NLU components, training,
  the server launcher and its stores;
- ``bot/actions/``: the custom actions, in the application's environment (Python 3.11), served
  by the API process (``api/routers/actions.py``).
"""
