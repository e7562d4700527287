"""Citizen channels besides the web widget: Facebook Messenger and Zalo OA webhooks.

Both are FastAPI routes that verify the platform's signature, forward the text to
Rasa's REST channel (api/rasa_client.py) and answer through the platform's API;
api/channels/formatting.py turns Rasa's messages into each channel's form.
"""
