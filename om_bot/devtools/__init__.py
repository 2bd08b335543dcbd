"""Developer tools: the throwaway Synapse, the demo. Never imported by the running bot."""
