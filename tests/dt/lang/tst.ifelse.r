big
three

