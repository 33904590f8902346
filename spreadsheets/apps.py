from django.apps import AppConfig


class SpreadsheetsConfig(AppConfig):
    name = "spreadsheets"
    verbose_name = "Spreadsheets (XLSX/CSV out, the PKI Consortium's Excel tools in)"
