"""The vendor catalog: sensor builds and their stages, content categories, template types, content
releases and their validation gate (``validation``); the vendor API and pages. Publishing can start
rollouts, so it imports policies, rings and everything below.
"""
