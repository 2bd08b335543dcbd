"""om-bot: a Matrix bot that coordinates the regional networks of OM, DDN and OGB."""
