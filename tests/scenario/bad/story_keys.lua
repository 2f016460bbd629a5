-- expect: msikit.story\{\}: title, before and after are required
msikit.story{ title = "half a story" }
