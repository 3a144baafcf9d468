
from mesh_platform.auth import mask_personal_data


def test_masking_nulls_personal_data_and_keeps_the_rest():
    record = {"fighter_id": "f-1", "date_of_birth": "1990-01-01", "name": "A"}
    assert mask_personal_data(record, {"date_of_birth"}) == {"fighter_id": "f-1", "date_of_birth": None, "name": "A"}
    assert record["date_of_birth"] == "1990-01-01"
