"""Never finishes loading."""


def sigmoid(x):
    return x


while True:
    pass
