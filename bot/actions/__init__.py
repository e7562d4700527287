# Personal data (phone and ID numbers) is masked in every log record of the action server.
from api.logs import install_pii_masking

install_pii_masking()
